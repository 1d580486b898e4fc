# Splitclone's production image: gunicorn serving Django, static files collected and served by
# whitenoise. Build: docker build -t splitclone . ; checked by `make check-deploy` (hadolint,
# trivy). Migrations are not run here: the deploy runs them once, as a one-off task of this image:
#   python manage.py migrate --noinput
# The patch version is pinned so that a rebuild gives the same Python; bump it deliberately.

# --- builder: the dependencies in a virtualenv, copied whole into the runtime stage ---
FROM python:3.13.9-slim-bookworm AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1

# Every requirement ships a manylinux wheel (psycopg[binary] included): no compiler needed.
# requirements.txt is the lock (`make lock`): every package pinned with its hashes, so two builds
# install the same files or the build fails.
RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN /opt/venv/bin/pip install --no-cache-dir --only-binary=:all: --require-hashes \
    -r /tmp/requirements.txt

# --- runtime ---
FROM python:3.13.9-slim-bookworm

ENV PATH="/opt/venv/bin:$PATH" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=splitclone.settings.production \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus \
    PORT=8000

# A fixed, unprivileged uid: volume permissions and runAsNonRoot checks can rely on it.
RUN groupadd --system --gid 10001 splitclone \
    && useradd --system --uid 10001 --gid splitclone --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin splitclone

WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
# Owned by root and not writable by the app user: the code cannot be changed at run time. The
# compiled translations (locale/**/*.mo) come with the code, so the image needs no gettext.
COPY . /app

# Production settings refuse to load without these; the dummies exist only in this RUN line, so
# they are neither in the image's environment nor usable by a container. No metric files here:
# an empty PROMETHEUS_MULTIPROC_DIR would make prometheus_client write them into /app, so the
# variable is unset for this command.
RUN SECRET_KEY=build-only-collectstatic-not-a-secret-0123456789abcdefghij \
    ALLOWED_HOSTS=build.invalid \
    CSRF_TRUSTED_ORIGINS=https://build.invalid \
    env -u PROMETHEUS_MULTIPROC_DIR python manage.py collectstatic --noinput \
    && mkdir -p /tmp/prometheus \
    && chown splitclone:splitclone /tmp/prometheus

USER 10001:10001
EXPOSE 8000

# slim has no curl: Python's urllib asks the liveness probe.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"]

CMD ["gunicorn", "-c", "gunicorn.conf.py", "splitclone.wsgi"]
