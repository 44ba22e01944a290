FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# Compiled translations (locale/*/LC_MESSAGES/*.mo) are committed.
# Static files in production mode (DEBUG off): the hashed names and manifest the running app looks up.
# The key and the email switch only let settings load for this build step (nothing is emailed while building);
# the container gets the real key and EMAIL_URL at run time.
RUN SECRET_KEY=collectstatic-only-not-a-runtime-key EMAIL_ALLOW_CONSOLE=1 DEBUG=0 python manage.py collectstatic --noinput
# Not root at run time; media (uploads) and var/ are the only places the app writes.
RUN useradd --create-home --uid 10001 smartbot && mkdir -p /app/media /app/var && chown smartbot /app/media /app/var
USER smartbot
EXPOSE 8000
# The web process answers (GET /health/live, exit 0 on a 2xx). python:3.11-slim has no curl. The same
# command is the web service's healthcheck in docker-compose.yml; tests/test_production.py runs it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/live', timeout=4)"]
# The Procfile's web: pages and the API under gunicorn, two worker processes per core (smartbot/gunicorn_config.py).
# The chat's WebSockets run from the same image as daphne (the Procfile's ws; docker-compose.yml's ws service).
# gunicorn and daphne report the real peer; the app reads X-Forwarded-For itself, as far as TRUSTED_PROXY_COUNT
# says it can be believed (docs/operations.md).
CMD ["gunicorn", "-c", "python:smartbot.gunicorn_config", "-b", "0.0.0.0:8000", "smartbot.wsgi:application"]
