#!/bin/sh
# What the official haproxy image's docker-entrypoint.sh does: run haproxy in master-worker
# mode (-W, reloads on SIGUSR2) and in the foreground (-db), whatever else the command adds.
set -e

# First argument is an option (-f, --something): the command is haproxy.
if [ "${1#-}" != "$1" ]; then
	set -- haproxy "$@"
fi

if [ "$1" = 'haproxy' ]; then
	shift
	set -- haproxy -W -db "$@"
fi

exec "$@"
