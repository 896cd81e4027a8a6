#!/bin/sh
# `npm start`'s build step: compiles what changed (turbo caches the rest) and prints turbo's own
# banner and summary only when the build fails, so that a terminal shows the pipeline's lines.
echo "pipeline: building the services (cached after the first time)" >&2
if ! log=$(TURBO_TELEMETRY_DISABLED=1 turbo run build --output-logs=errors-only 2>&1); then
  printf '%s\n' "$log" >&2
  exit 1
fi
