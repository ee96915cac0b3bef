FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY stream_imbal ./stream_imbal
COPY consumers ./consumers
COPY config ./config
COPY examples ./examples
RUN pip install --no-cache-dir .
RUN useradd --create-home app && mkdir /checkpoints && chown app /checkpoints
USER app
EXPOSE 9100
ENTRYPOINT ["stream-imbal"]
CMD ["serve", "--config", "config/service.toml"]
