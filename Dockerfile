FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml setup.py README.md ./
COPY stream_imbal ./stream_imbal
COPY consumers ./consumers
COPY config ./config
COPY examples ./examples
# The compiled kernels (Cython) build with a C compiler, removed once they are built.
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev \
    && pip install --no-cache-dir . \
    && apt-get purge -y --auto-remove gcc libc6-dev && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home app && mkdir /checkpoints && chown app /checkpoints
USER app
EXPOSE 9100
ENTRYPOINT ["stream-imbal"]
CMD ["serve", "--config", "config/service.toml"]
