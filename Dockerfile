# One image for the API, the Celery worker and the one-off migration (docker-compose.yml).
FROM python:3.11-slim
# WeasyPrint (PDF reports) needs Pango; the reports embed their own fonts, so no font packages.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY service ./service
COPY energy ./energy
COPY integration ./integration
RUN pip install --no-cache-dir . \
 && useradd --create-home --uid 10001 miasto \
 && mkdir -p /app/var && chown miasto:miasto /app/var
USER miasto
ENV MIASTO_LOG_JSON=true
EXPOSE 8000
CMD ["miasto", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
