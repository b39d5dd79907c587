# syntax=docker/dockerfile:1
# costopt container image: the `costopt` command with the AWS, GCP and Azure extras.
#
#   docker build -t costopt .
#   docker run --rm -v costopt-data:/data -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY \
#     -e AWS_SESSION_TOKEN -e AWS_REGION costopt audit --provider aws --out reports/2026-w49
#
# The base image is pinned by digest: the digest published for python:3.11-slim-bookworm as seen
# in 2026 (it could not be checked when this file was written: no container engine there).
# Refresh it with `docker buildx imagetools inspect python:3.11-slim-bookworm` (the "Digest:"
# line) and replace it in both FROM lines.
# tests/packaging runs the two pip steps below in a fresh venv and checks the rules of this file.

# --- builder: the project's wheel (pure Python; the build backend comes from the index) ------
FROM python:3.11-slim-bookworm@sha256:b18992999dbe963a45a8a4da40ac2b1975be1a776d939d098c647482bcad5cba AS builder
WORKDIR /src
COPY . /src
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

# --- final: the wheel and its dependencies (binary wheels only: no compiler, no build tools) -
FROM python:3.11-slim-bookworm@sha256:b18992999dbe963a45a8a4da40ac2b1975be1a776d939d098c647482bcad5cba
LABEL org.opencontainers.image.title="costopt" \
      org.opencontainers.image.description="ML-aware multi-cloud cost-optimization analyzer" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOME=/data \
    XDG_DATA_HOME=/data \
    XDG_CACHE_HOME=/data/.cache
# The project wheel is installed by its file name, never by name from the index.
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install --no-cache-dir --only-binary=:all: "$(ls /wheels/costopt_ml-*.whl)[aws,gcp,azure]"
RUN groupadd --system --gid 10001 costopt \
 && useradd --system --uid 10001 --gid costopt --home-dir /data --no-create-home --shell /usr/sbin/nologin costopt \
 && mkdir -p /data \
 && chown costopt:costopt /data
# History ($XDG_DATA_HOME/costopt/history), the catalog cache and the reports (relative --out) live here.
VOLUME ["/data"]
WORKDIR /data
USER 10001:10001
ENTRYPOINT ["costopt"]
CMD ["--help"]
