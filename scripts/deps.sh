#!/bin/sh
# deps.sh - make sure the Debian packages opsmgr-enroll needs are installed.
# As root: apt-get update + apt-get install -y exactly what is missing.
# Otherwise: print the one command to run, and fail.
set -u
PKGS="make gcc pkg-config libncurses-dev libssl-dev openssl libcurl4-openssl-dev \
libiniparser-dev libmicrohttpd-dev libgnutls28-dev libcmocka-dev libvterm-dev tmux ca-certificates \
procps clang libclang-rt-14-dev valgrind \
libzip-dev libxml2-dev zip unzip python3 wine wine64 wixl msitools \
krb5-kdc krb5-user krb5-admin-server libkrb5-dev apache2 libapache2-mod-auth-gssapi \
systemd man-db debhelper dpkg-dev lintian fakeroot bash-completion \
ansible ansible-lint"
missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
	case "$st" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "opsmgr-enroll needs these Debian packages:$missing" >&2
	echo "run as root:  apt-get update && apt-get install -y$missing" >&2
	exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq </dev/null >/dev/null || { echo "apt-get update failed" >&2; exit 1; }
# shellcheck disable=SC2086
apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends $missing </dev/null >/dev/null || {
	echo "apt-get install failed for:$missing" >&2; exit 1; }
echo "installed:$missing"
