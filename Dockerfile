# obligraph service image: `docker build -t obligraph .` then
#   docker run -p 8000:8000 -v obligraph-data:/data obligraph                       (SQLite in the volume)
#   docker run -p 8000:8000 -e OBLIGRAPH_DATABASE_URL=postgresql://user:pw@db/obligraph obligraph
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    OBLIGRAPH_DATA_DIR=/data

WORKDIR /app
# Dependencies first, pinned by the lock file, so that code changes reuse this layer.
COPY pyproject.toml constraints.txt README.md ./
RUN mkdir obligraph && echo '__version__ = "0"' > obligraph/__init__.py \
    && pip install -c constraints.txt . \
    && pip uninstall -y obligraph && rm -rf obligraph build
COPY obligraph ./obligraph
COPY app ./app
COPY graph ./graph
COPY seed_data ./seed_data
# The message catalogs are compiled here, as `make install` does: .mo files are not in git.
RUN pybabel compile -d app/web/locale -D messages && pip install --no-deps -c constraints.txt . && rm -rf build

RUN useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin obligraph \
    && mkdir -p /data && chown obligraph /data
USER obligraph
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

# Inside a container the published port arrives on the container's interface, not loopback.
CMD ["obligraph", "serve", "--host", "0.0.0.0", "--port", "8000"]
