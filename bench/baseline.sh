#!/bin/sh
# baseline.sh LAB_DIR OUT_DIR - the enrollment the way administrators script
# it today with the openssl and curl command-line tools, against the lab:
# download the chain, key + CSR, submit, fetch, verify, PKCS#12 with the
# SChannel CSP attribute, serial reversed into a .reg file.  It is the
# baseline `make bench` compares opsmgr-enroll with (issue 9).
set -eu
lab=$1
out=$2
mkdir -p "$out"
ini() { sed -n "s/^$1 *= *//p" "$lab/lab.ini" | head -1; }
url=$(ini ca_url)
user=$(ini user)
pwfile=$(ini password_file)
root=$(ini root)
fqdn=agent01.lab.test
cfg="$out/curl.cfg"    # credentials through a config file, not argv
printf 'user = "%s:%s"\n' "$user" "$(cat "$pwfile")" > "$cfg"
chmod 600 "$cfg"
c() { curl -sS --fail --cacert "$root" -K "$cfg" "$@"; }

# 1. trust root: chain from the CA
n=$(c "${url}certcarc.asp" | sed -n 's/.*var nRenewals=\([0-9]*\);.*/\1/p')
c -o "$out/chain.p7b" "${url}certnew.p7b?ReqID=CACert&Renewal=${n:-0}&Enc=b64"
openssl pkcs7 -in "$out/chain.p7b" -print_certs -out "$out/chain.pem" 2>/dev/null

# 2. request: key + CSR, submit, fetch
openssl req -new -newkey rsa:2048 -nodes -keyout "$out/key.pem" -out "$out/req.csr" \
	-subj "/CN=$fqdn" -addext "subjectAltName=DNS:$fqdn" \
	-addext "extendedKeyUsage=serverAuth,clientAuth" \
	-addext "keyUsage=critical,digitalSignature,keyEncipherment" 2>/dev/null
c -o "$out/resp.html" --data-urlencode "CertRequest@$out/req.csr" \
	--data "Mode=newreq&CertAttrib=CertificateTemplate:OpsMgr&FriendlyType=Saved-Request+Certificate&TargetStoreFlags=0&SaveCert=yes" \
	"${url}certfnsh.asp"
id=$(sed -n 's/.*certnew.cer?ReqID=\([0-9]*\)&.*/\1/p' "$out/resp.html" | head -1)
[ -n "$id" ] || { echo "baseline: not issued" >&2; exit 1; }
c -o "$out/cert.pem" "${url}certnew.cer?ReqID=$id&Enc=b64"

# 3. verify
openssl verify -CAfile "$out/chain.pem" "$out/cert.pem" >/dev/null
openssl x509 -in "$out/cert.pem" -noout -ext extendedKeyUsage | grep -q "Client Authentication"

# 4. export
openssl pkcs12 -export -in "$out/cert.pem" -inkey "$out/key.pem" -certfile "$out/chain.pem" \
	-CSP "Microsoft RSA SChannel Cryptographic Provider" -LMK -keyex \
	-name "OpsMgr agent" -passout "file:$lab/pfx-password" -out "$out/agent.pfx"

# 6. serial reversed into a .reg
serial=$(openssl x509 -in "$out/cert.pem" -noout -serial | cut -d= -f2)
rev=$(echo "$serial" | sed 's/../& /g' | tr ' ' '\n' | grep . | tac | tr 'A-F' 'a-f' | paste -sd, -)
thumb=$(openssl x509 -in "$out/cert.pem" -noout -fingerprint -sha1 | cut -d= -f2 | tr -d :)
printf 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Microsoft Operations Manager\\3.0\\Machine Settings]\r\n"ChannelCertificateSerialNumber"=hex:%s\r\n"ChannelCertificateHash"="%s"\r\n' \
	"$rev" "$thumb" > "$out/serial.reg"
rm -f "$cfg"
