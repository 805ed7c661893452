"""Public face of the readiness engine: what portals embed.

This package renders published readiness snapshots for the outside world and holds no scoring maths
(that lives in :mod:`integration`):

- :mod:`service.readiness.public_schema` -- the stable public JSON contract of a published snapshot
  (documented with an example and versioning rules in ``PUBLIC_CONTRACT.md`` beside this file);
- :mod:`service.readiness.render` -- the accessible SVG badge, the self-contained HTML widget for an
  iframe (pl/en/uk), the friendly "not published" page and the one-line embed snippet;
- :mod:`service.readiness.methodology` -- the methodology page (pl/en) generated from the framework
  definition (indicators, sources, weights, method);
- :mod:`service.readiness.i18n` -- the labels in Polish, English and Ukrainian.

Routes, storage, caching, CORS and ETags are the API's business; it calls the functions here.
"""
