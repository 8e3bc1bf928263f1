#!/usr/bin/env bash
# A two-node Docker Swarm on one machine: this machine's engine is the manager, and a second dockerd in its own
# network namespace, joined over a veth pair, is the worker. Used by test/integration/swarm-two-nodes.test.ts and by
# a person who wants to watch ScaleDeck spread a service over two nodes.
#
#   npm run lab:two-nodes [-- IMAGE...]   start it, load the images on the worker, print the worker's socket
#   npm run lab:two-nodes -- --down       take it all down again (also after a half-finished start)
#   npm run lab:two-nodes -- --kill-worker  the worker machine dies: SIGKILL to its dockerd, containerd and containers
#
# Needs root, iproute2, util-linux (nsenter) and Debian's docker.io. The addresses (10.231.0.1/30 here, 10.231.0.2/30
# in the namespace) exist only on the veth pair; nothing is sent anywhere else. The host engine must not be in a swarm
# already: the lab makes its own and leaves it on --down (a swarm it did not make is never touched).
# SCALEDECK_LAB_NAME (letters and digits, up to 8) names the namespace, the links and the state folder.
set -euo pipefail

NAME="${SCALEDECK_LAB_NAME:-sdlab}"
[[ "$NAME" =~ ^[a-z0-9]{1,8}$ ]] || { echo "SCALEDECK_LAB_NAME must be 1-8 lower-case letters or digits, not '$NAME'" >&2; exit 2; }
STATE="/var/lib/scaledeck-lab-$NAME"
NETNS="$NAME"
HOST_LINK="${NAME}h"
WORKER_LINK="${NAME}w"
MANAGER_ADDRESS=10.231.0.1
WORKER_ADDRESS=10.231.0.2
SOCKET="$STATE/worker.sock"
WORKER=(docker -H "unix://$SOCKET")
# nsenter, not `ip netns exec`: that remounts /sys, which hides the cgroups dockerd needs.
IN_NETNS=(nsenter "--net=/var/run/netns/$NETNS")

say() { printf '[lab] %s\n' "$*" >&2; }

down() {
  if [ -S "$SOCKET" ]; then
    "${WORKER[@]}" swarm leave --force >/dev/null 2>&1 && say "worker left the swarm" || true
  fi
  if [ -f "$STATE/made-swarm" ]; then
    # The worker is gone from the swarm; its node entry goes with the swarm itself.
    docker swarm leave --force >/dev/null 2>&1 && say "host engine left the swarm the lab made" || true
    if [ -f "$STATE/made-gwbridge" ]; then docker network rm docker_gwbridge >/dev/null 2>&1 || true; fi
  fi
  if [ -f "$STATE/dockerd.pid" ]; then
    local pid
    pid="$(cat "$STATE/dockerd.pid")"
    if kill "$pid" 2>/dev/null; then
      for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
      kill -9 "$pid" 2>/dev/null || true
      say "worker dockerd ($pid) stopped"
    fi
  fi
  # Whatever the worker's containerd left (its shims run the worker's containers), and those containers.
  pkill_state_processes
  worker_container_pids | xargs -r kill -9 2>/dev/null || true
  if [ -d "$STATE" ]; then
    { grep -o " $STATE/[^ ]*" /proc/mounts || true; } | sort -r | while read -r mountpoint; do umount -l "$mountpoint" 2>/dev/null || true; done
  fi
  # The (now empty) cgroups the worker's containers ran in.
  find /sys/fs/cgroup/ -maxdepth 2 -type d -name "scaledeck-lab-$NAME" 2>/dev/null | while read -r dir; do
    find "$dir" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
  ip link del "$HOST_LINK" 2>/dev/null || true
  ip netns del "$NETNS" 2>/dev/null || true
  rm -rf "$STATE"
  say "down"
}

# Only processes whose command line names this lab's state folder: the worker's containerd and its shims.
pkill_state_processes() {
  [ -d "$STATE" ] || return 0
  local pid
  for pid in $(pgrep -f -- "$STATE/" || true); do kill -9 "$pid" 2>/dev/null || true; done
}

# The worker's containers: every process in the cgroups under the parent its dockerd puts them in.
worker_container_pids() {
  find /sys/fs/cgroup/ -path "*/scaledeck-lab-$NAME/*" -name cgroup.procs 2>/dev/null | xargs -r cat | sort -u
}

# As if the worker machine lost power: its engine and every container on it end at once, nothing is told first.
kill_worker() {
  [ -f "$STATE/dockerd.pid" ] || { echo "no lab named $NAME is up" >&2; exit 1; }
  local pids
  pids="$(cat "$STATE/dockerd.pid") $(pgrep -f -- "$STATE/" || true) $(worker_container_pids)"
  # shellcheck disable=SC2086
  kill -9 $pids 2>/dev/null || true
  say "worker killed (pids $(echo $pids))"
}

up() {
  local state
  state="$(docker info --format '{{.Swarm.LocalNodeState}}')"
  if [ -d "$STATE" ]; then echo "a lab named $NAME is up already (or half-made): run with --down first" >&2; exit 1; fi
  if [ "$state" != inactive ]; then
    echo "this Docker engine is already in a swarm ($state); the lab makes its own: leave that one first, or use another machine" >&2
    exit 1
  fi
  mkdir -p "$STATE"
  chmod 700 "$STATE"
  trap 'say "start failed: taking down what was made"; down' ERR

  ip netns add "$NETNS"
  ip link add "$HOST_LINK" type veth peer name "$WORKER_LINK"
  ip link set "$WORKER_LINK" netns "$NETNS"
  ip addr add "$MANAGER_ADDRESS/30" dev "$HOST_LINK"
  ip link set "$HOST_LINK" up
  ip -n "$NETNS" addr add "$WORKER_ADDRESS/30" dev "$WORKER_LINK"
  ip -n "$NETNS" link set "$WORKER_LINK" up
  ip -n "$NETNS" link set lo up
  say "namespace $NETNS: $WORKER_ADDRESS on $WORKER_LINK, $MANAGER_ADDRESS on $HOST_LINK here"

  echo '{}' >"$STATE/daemon.json"
  # Its own hostname too (a UTS namespace), so `docker node ls` tells the two nodes apart.
  unshare --uts sh -c 'hostname "$0"; exec "$@"' "$NAME-worker" "${IN_NETNS[@]}" dockerd --config-file "$STATE/daemon.json" --data-root "$STATE/data" --exec-root "$STATE/exec" \
    -H "unix://$SOCKET" --pidfile "$STATE/dockerd.pid" --cgroup-parent "scaledeck-lab-$NAME" \
    >"$STATE/dockerd.log" 2>&1 &
  for _ in $(seq 1 60); do "${WORKER[@]}" version --format '{{.Server.Version}}' >/dev/null 2>&1 && break; sleep 1; done
  "${WORKER[@]}" version --format '{{.Server.Version}}' >/dev/null || { tail -20 "$STATE/dockerd.log" >&2; false; }
  say "worker dockerd answers on $SOCKET"

  if ! docker network inspect docker_gwbridge >/dev/null 2>&1; then touch "$STATE/made-gwbridge"; fi
  docker swarm init --advertise-addr "$MANAGER_ADDRESS" >/dev/null
  touch "$STATE/made-swarm"
  "${WORKER[@]}" swarm join --token "$(docker swarm join-token -q worker)" "$MANAGER_ADDRESS:2377" >/dev/null
  say "swarm: manager $MANAGER_ADDRESS, worker $WORKER_ADDRESS joined"

  local image
  for image in "$@"; do
    docker save "$image" | "${WORKER[@]}" load >/dev/null
    say "loaded $image on the worker"
  done
  trap - ERR
  echo "WORKER_SOCKET=$SOCKET"
  echo "WORKER_NODE=$("${WORKER[@]}" info --format '{{.Swarm.NodeID}}')"
  echo "MANAGER_NODE=$(docker info --format '{{.Swarm.NodeID}}')"
  echo "WORKER_PID=$(cat "$STATE/dockerd.pid")"
}

case "${1:-}" in
  --down) down ;;
  --kill-worker) kill_worker ;;
  *) up "$@" ;;
esac
