#!/usr/bin/env bash
# Checks of deploy/ that need tools outside Maven. Run from anywhere:
#   deploy/check.sh            promtool: scrape config, alert rules, alert unit tests
#   deploy/check.sh --images   also builds the images (-Pimages) and smoke-runs them (root only)
# Needs promtool (Debian: apt-get install -y --no-install-recommends prometheus). The Maven build
# checks the rest (deploy-checks module: compose, Kubernetes, dashboard metrics, image config).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v promtool >/dev/null; then
  echo "deploy/check.sh: promtool not found; install it: apt-get install -y --no-install-recommends prometheus" >&2
  exit 1
fi

echo "== promtool check config deploy/prometheus/prometheus.yml"
promtool check config deploy/prometheus/prometheus.yml
echo "== promtool check rules deploy/prometheus/alerts.yml"
promtool check rules deploy/prometheus/alerts.yml
echo "== promtool test rules deploy/prometheus/alerts.test.yml"
promtool test rules deploy/prometheus/alerts.test.yml

# Every alert has a unit test.
missing=0
for alert in $(sed -nE 's/^ *- alert: *([A-Za-z0-9_]+).*/\1/p' deploy/prometheus/alerts.yml); do
  if ! grep -qE "alertname: *$alert\b" deploy/prometheus/alerts.test.yml; then
    echo "deploy/check.sh: alert $alert has no test in deploy/prometheus/alerts.test.yml" >&2
    missing=1
  fi
done
[ "$missing" -eq 0 ] || exit 1
echo "== every alert has a unit test"

if [ "${1:-}" = "--images" ]; then
  echo "== images: ./mvnw -B -Pimages package, then ImageTarballTest checks the tarballs' config"
  ./mvnw -B -q -Pimages -pl deploy-checks -am package -DskipITs -Dtest=ImageTarballTest \
    -Dsurefire.failIfNoSpecifiedTests=false -Djib.disableUpdateChecks=true
  deploy/images/smoke.sh scheduler-service/target/jib-image.tar HERALD_SCHEDULER_BOOTSTRAP_SERVERS
  deploy/images/smoke.sh sender-service/target/jib-image.tar HERALD_SENDER_BOOTSTRAP_SERVERS
  deploy/images/smoke.sh webhook-service/target/jib-image.tar HERALD_WEBHOOK_BOOTSTRAP_SERVERS
fi
echo "deploy/check.sh: OK"
