FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY service ./service
COPY energy ./energy
COPY integration ./integration
RUN pip install --no-cache-dir .
ENV MIASTO_LOG_JSON=true
EXPOSE 8000
CMD ["miasto", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
