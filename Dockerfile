# The settlement service as a container: `docker compose up` (with PostgreSQL), or
#   docker build --build-arg GIT_COMMIT=$(git rev-parse --short HEAD) -t contract-settlement .
#   docker run -e DATABASE_URL=postgresql://... -p 8000:8000 contract-settlement
# The entrypoint is the `settlement` console script; the default command `serve` migrates
# the database to the head, then serves with gunicorn (JSON logs). Other commands:
#   docker run --rm -e DATABASE_URL=... contract-settlement journal verify
FROM python:3.11-slim

# fonts-wqy-zenhei: the CJK TrueType font embedded in invoice and report PDFs
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-wqy-zenhei \
 && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first (a layer that survives code changes): the package metadata and empty
# packages are enough for pip to resolve and install them.
COPY setup.cfg pyproject.toml README.md ./
RUN mkdir -p settlement invoices \
 && touch settlement/__init__.py invoices/__init__.py \
 && pip install -e '.[postgres]'

# The code. An editable install keeps migrations/ beside the package, where
# `settlement db upgrade` finds it, and registers the entry points (settlement.extensions).
COPY . .
RUN pip install --no-deps -e '.[postgres]' \
 && python -c "import settlement, invoices, reportlab; from settlement.api.health import alembic_head; print('schema head', alembic_head())"

# A non-root user; it may write only the instance folder (SQLite file when DATABASE_URL is unset).
RUN useradd --system --uid 10001 --gid 0 --home-dir /app --no-create-home --shell /usr/sbin/nologin settlement \
 && mkdir -p /var/lib/settlement \
 && chown settlement:0 /var/lib/settlement && chmod 0770 /var/lib/settlement
USER settlement

ARG GIT_COMMIT=""
ENV GIT_COMMIT=${GIT_COMMIT} \
    INSTANCE_PATH=/var/lib/settlement \
    INVOICE_FONT=/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc \
    HOST=0.0.0.0 \
    PORT=8000 \
    WORKERS=2
VOLUME ["/var/lib/settlement"]
EXPOSE 8000

HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/readyz' % os.environ.get('PORT', '8000'), timeout=4)"

ENTRYPOINT ["settlement"]
CMD ["serve"]
