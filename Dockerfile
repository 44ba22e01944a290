FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# Compiled translations (locale/*/LC_MESSAGES/*.mo) are committed.
# Static files in production mode (DEBUG off): the hashed names and manifest the running app looks up.
# The key only lets settings load for this build step; the container gets the real one at run time.
RUN SECRET_KEY=collectstatic-only-not-a-runtime-key DEBUG=0 python manage.py collectstatic --noinput
# Not root at run time; media (uploads) and var/ are the only places the app writes.
RUN useradd --create-home --uid 10001 smartbot && mkdir -p /app/media /app/var && chown smartbot /app/media /app/var
USER smartbot
EXPOSE 8000
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "--proxy-headers", "smartbot.asgi:application"]
