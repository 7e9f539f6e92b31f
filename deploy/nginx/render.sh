#!/usr/bin/env bash
# Renders deploy/nginx/ocpizza.conf (the template) to stdout, from environment variables:
#
#   SERVER_NAME          the site's host name(s)                 (required, e.g. "commande.ocpizza.fr")
#   HUB_PORTS            the hub processes' loopback ports        (default "3001 3002")
#   HTTP_PORT            plain-HTTP port (ACME + redirect)        (default 80)
#   HTTPS_PORT           HTTPS port                               (default 443)
#   LISTEN_ADDRESSES     addresses to listen on                   (default "* [::]"; tests: 127.0.0.1)
#   SSL_CERTIFICATE      certificate chain (PEM)                  (default Let's Encrypt's path for SERVER_NAME)
#   SSL_CERTIFICATE_KEY  its private key (PEM)                    (default Let's Encrypt's path for SERVER_NAME)
#   APP_ROOT             directory holding current/ and previous/ (default /opt/ocpizza)
#   ACME_ROOT            certbot's webroot                        (default /var/www/letsencrypt)
#   LOG_DIR              nginx access/error logs of the site      (default /var/log/nginx)
#
# Example (production):
#   SERVER_NAME=commande.ocpizza.fr HUB_PORTS="3001 3002 3003" deploy/nginx/render.sh \
#     | sudo tee /etc/nginx/sites-available/ocpizza >/dev/null
#   sudo ln -sf ../sites-available/ocpizza /etc/nginx/sites-enabled/ocpizza
#   sudo nginx -t && sudo systemctl reload nginx
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
template="${TEMPLATE:-$here/ocpizza.conf}"

: "${SERVER_NAME:?SERVER_NAME is required: the host name of the site}"
HUB_PORTS="${HUB_PORTS:-3001 3002}"
HTTP_PORT="${HTTP_PORT:-80}"
HTTPS_PORT="${HTTPS_PORT:-443}"
LISTEN_ADDRESSES="${LISTEN_ADDRESSES:-* [::]}"
first_name="${SERVER_NAME%% *}"
SSL_CERTIFICATE="${SSL_CERTIFICATE:-/etc/letsencrypt/live/$first_name/fullchain.pem}"
SSL_CERTIFICATE_KEY="${SSL_CERTIFICATE_KEY:-/etc/letsencrypt/live/$first_name/privkey.pem}"
APP_ROOT="${APP_ROOT:-/opt/ocpizza}"
ACME_ROOT="${ACME_ROOT:-/var/www/letsencrypt}"
LOG_DIR="${LOG_DIR:-/var/log/nginx}"

is_port() { [[ "$1" =~ ^[0-9]+$ ]] && [ "$1" -ge 1 ] && [ "$1" -le 65535 ]; }
for port in $HUB_PORTS $HTTP_PORT $HTTPS_PORT; do
  is_port "$port" || { echo "render.sh: '$port' is not a port" >&2; exit 2; }
done
[ -n "${HUB_PORTS// /}" ] || { echo "render.sh: HUB_PORTS is empty" >&2; exit 2; }

upstreams=""
for port in $HUB_PORTS; do
  upstreams+="    server 127.0.0.1:$port max_fails=0;"$'\n'
done
listen_http=""
listen_https=""
for address in $LISTEN_ADDRESSES; do
  listen_http+="    listen $address:$HTTP_PORT;"$'\n'
  # "http2" as a listen parameter: Debian 12's nginx is 1.22 (the "http2 on;" directive is 1.25+).
  listen_https+="    listen $address:$HTTPS_PORT ssl http2;"$'\n'
done
port_suffix=""
[ "$HTTPS_PORT" = 443 ] || port_suffix=":$HTTPS_PORT"

conf="$(cat "$template")"
fill() {
  local pattern="{{$1}}" value="$2"
  conf="${conf//"$pattern"/"$value"}"
}
fill UPSTREAM_SERVERS "${upstreams%$'\n'}"
fill LISTEN_HTTP "${listen_http%$'\n'}"
fill LISTEN_HTTPS "${listen_https%$'\n'}"
fill HTTPS_PORT_SUFFIX "$port_suffix"
fill SERVER_NAME "$SERVER_NAME"
fill SSL_CERTIFICATE "$SSL_CERTIFICATE"
fill SSL_CERTIFICATE_KEY "$SSL_CERTIFICATE_KEY"
fill APP_ROOT "$APP_ROOT"
fill ACME_ROOT "$ACME_ROOT"
fill LOG_DIR "$LOG_DIR"

if left="$(grep -o '{{[A-Z_]*}}' <<<"$conf" | sort -u | tr '\n' ' ')" && [ -n "$left" ]; then
  echo "render.sh: placeholders left unfilled: $left" >&2
  exit 2
fi
printf '%s\n' "$conf"
