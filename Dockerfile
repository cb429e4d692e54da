# vocm's container image: the static (musl) release binaries on a
# distroless base, which adds CA certificates (for the API's HTTPS) and a
# non-root user, and no shell. The release workflow
# (examples/ci/release.yml) unpacks each architecture's binaries into
# dist/linux-<arch>/ first, then builds, smoke-runs and pushes:
#
#   docker run --rm -v "$PWD:/work" -w /work ghcr.io/OWNER/vocm:1 validate telephony
#
# Pin the base by digest (image@sha256:…) and let Dependabot update it.
FROM gcr.io/distroless/static-debian12:nonroot
ARG TARGETARCH
COPY dist/linux-${TARGETARCH}/vocm /usr/local/bin/vocm
# The bundled example, for a smoke test: `validate /examples/acme`.
COPY examples/acme /examples/acme
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/vocm"]
CMD ["--help"]
