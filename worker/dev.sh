#!/usr/bin/env bash
# dev.sh — build the Workers service and run it locally with wrangler dev
# (the local workerd runtime, offline) on http://127.0.0.1:8787
# (./build.sh worker-dev). Extra arguments go to wrangler dev; PORT changes
# the port. KATE_MODEL=path embeds another model file (see build.sh).
set -euo pipefail
cd "$(dirname "$0")"
export WRANGLER_SEND_METRICS=false
WRANGLER=../node_modules/.bin/wrangler
if [[ ! -x $WRANGLER ]]; then
	echo "worker/dev.sh: $WRANGLER not found: run 'npm ci' at the repository root" >&2
	exit 1
fi
bash build.sh
exec "$WRANGLER" dev --ip 127.0.0.1 --port "${PORT:-8787}" "$@"
