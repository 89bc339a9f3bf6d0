#!/usr/bin/env python3
"""make-fixtures.py - writes the evidence folders of tests/data/evidence/
(one per fault, README says which tool's format each file follows).

Run from this folder: python3 make-fixtures.py.  It makes a throwaway root
CA and three machine certificates with openssl (keys only in a temporary
folder: evidence never holds a key), then per fault the files collect.cmd
writes (backend/windows/evidence_layout.h).  The output is committed; the
script is here so that a fixture can be made again or a new one added.
`python3 make-fixtures.py --events-only` writes only each folder's
events.xml (EVENTS below), keeping the certificates already there.
"""
import hashlib, os, shutil, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FQDN = "agent01.example.test"
ROOT_SUBJ = "/O=opsmgr-enroll tests/CN=Evidence Test Root CA"
OM = r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Microsoft Operations Manager\3.0"
SCHANNEL = "Microsoft RSA SChannel Cryptographic Provider"
KSP = "Microsoft Software Key Storage Provider"
# 20-byte serials (the 19-byte truncation needs one); the third
# has its high bit set, so DER keeps a leading 00 byte
SERIALS = {"agent": "3A1F0000000C5E7A9B22D4F0E1C300000000000C",
           "old": "3A1F0000000B11223344556677880000000000B1",
           "other": "81AA0000000D0102030405060708090A0B0C0D0E"}


def run(*a, cwd):
    subprocess.run(a, cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def make_pki(t):
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
        "-keyout", "root.key", "-out", "root.pem", "-days", "7300",
        "-subj", ROOT_SUBJ, "-sha256", cwd=t)
    ext = ("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,"
           "keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n"
           "subjectAltName=DNS:%s\n" % FQDN)
    open(os.path.join(t, "ext.cnf"), "w").write(ext)
    certs = {}
    for name, serial in SERIALS.items():
        cn = FQDN if name != "other" else "web01.example.test"
        run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout",
            name + ".key", "-out", name + ".csr", "-subj", "/CN=" + cn, cwd=t)
        run("openssl", "x509", "-req", "-in", name + ".csr", "-CA", "root.pem",
            "-CAkey", "root.key", "-set_serial", "0x" + serial, "-days",
            "7300", "-sha256", "-extfile", "ext.cnf", "-out", name + ".der",
            "-outform", "DER", cwd=t)
        der = open(os.path.join(t, name + ".der"), "rb").read()
        certs[name] = {"der": der, "cn": cn, "serial": serial,
                       "sha1": hashlib.sha1(der).hexdigest().upper()}
    rder = subprocess.run(["openssl", "x509", "-in", "root.pem", "-outform",
                           "DER"], cwd=t, check=True,
                          stdout=subprocess.PIPE).stdout
    return certs, hashlib.sha1(rder).hexdigest().upper()


def reg_text(key, values):
    """A .reg file as `reg export` writes it: UTF-16LE + BOM, CRLF, hex
    lists wrapped at 80 columns with ',\\' and two blanks."""
    out = ["Windows Registry Editor Version 5.00", "", "[%s]" % key]
    for name, kind, val in values:
        if kind == "sz":
            out.append('"%s"="%s"' % (name, val))
        elif kind == "dword":
            out.append('"%s"=dword:%08x' % (name, val))
        else:
            line = '"%s"=hex:' % name
            parts = ["%02x" % b for b in val]
            for i, p in enumerate(parts):
                piece = p + ("," if i < len(parts) - 1 else "")
                if len(line) + len(piece) > 77 and i < len(parts) - 1:
                    out.append(line + "\\")
                    line = "  "
                line += piece
            out.append(line)
    out += ["", ""]
    return b"\xff\xfe" + "\r\n".join(out).encode("utf-16-le")


def groups_reg(group, server, port):
    base = OM + r"\Agent Management Groups"
    lines = ["Windows Registry Editor Version 5.00", "",
             "[%s]" % base, "", "[%s\\%s]" % (base, group), "",
             "[%s\\%s\\Parent Health Services]" % (base, group), "",
             "[%s\\%s\\Parent Health Services\\0]" % (base, group),
             '"NetworkName"="%s"' % server, '"AuthenticationName"="%s"' % server,
             '"Port"=dword:%08x' % port, "", ""]
    return b"\xff\xfe" + "\r\n".join(lines).encode("utf-16-le")


def cert_block(i, c, issuer_lines, key):
    """One certificate of `certutil -v -store My` (abridged to the lines
    the reader uses and their neighbours)."""
    s = ["================ Certificate %d ================" % i,
         "X509 Certificate:", "Version: 3", "Serial Number: " + c["serial"].lower(),
         "Signature Algorithm:",
         "    Algorithm ObjectId: 1.2.840.113549.1.1.11 sha256RSA",
         "    Algorithm Parameters:", "    05 00", "Issuer:"]
    s += ["    " + l for l in issuer_lines]
    s += ["  Name Hash(sha1): 0c5e1f0e2e52a3a3b6d8a1d4e1f0c3a2b1c0d9e8", "",
          " NotBefore: 12/3/2026 4:00 PM", " NotAfter: 11/28/2046 4:00 PM", "",
          "Subject:", "    CN=" + c["cn"],
          "  Name Hash(sha1): 5d4c3b2a19f8e7d6c5b4a39281706f5e4d3c2b1a", "",
          "Certificate Extensions: 4",
          "    2.5.29.37: Flags = 0, Length = 16", "    Enhanced Key Usage",
          "        Server Authentication (1.3.6.1.5.5.7.3.1)",
          "        Client Authentication (1.3.6.1.5.5.7.3.2)", "",
          "Cert Hash(sha1): " + c["sha1"].lower(), ""]
    if key is None:
        s += ["Missing stored keyset", ""]
    else:
        prov, spec = key
        s += ["  CERT_KEY_PROV_INFO_PROP_ID(2):",
              "    Key Container = {5A4E1D0B-7C3E-4F2A-9B1D-0E6F8A2C4D1B}",
              "    Provider = " + prov,
              "    ProviderType = %s" % ("0" if spec == 0 else "c"),
              "    Flags = 20 (32)", "      CRYPT_MACHINE_KEYSET -- 20 (32)",
              "    KeySpec = %d%s" % (spec, {0: "", 1: " -- AT_KEYEXCHANGE",
                                           2: " -- AT_SIGNATURE"}[spec]),
              "", "Encryption test passed", ""]
    return s


def store_text(name, blocks):
    lines = ['%s "%s"' % name] + blocks + [
        "CertUtil: -store command completed successfully.", ""]
    return "\r\n".join(lines).encode("ascii")


def root_store(root_sha1, with_lab_root):
    blocks = ["================ Certificate 0 ================",
              "Serial Number: 79ad16a14aa0a5ad4c7358f407132e65",
              "Issuer: CN=Microsoft Root Certificate Authority 2011, O=Microsoft Corporation, L=Redmond, S=Washington, C=US",
              " NotBefore: 3/22/2011 3:05 PM", " NotAfter: 3/22/2036 3:13 PM",
              "Subject: CN=Microsoft Root Certificate Authority 2011, O=Microsoft Corporation, L=Redmond, S=Washington, C=US",
              "Signature matches Public Key", "Root Certificate: Subject matches Issuer",
              "Cert Hash(sha1): 8f43288ad272f3103b6fb1428485ea3014c0bcfe", ""]
    if with_lab_root:
        blocks += ["================ Certificate 1 ================",
                   "Serial Number: 1f2e3d4c5b6a79880123456789abcdef01234567",
                   "Issuer: CN=Evidence Test Root CA, O=opsmgr-enroll tests",
                   " NotBefore: 12/3/2026 4:00 PM", " NotAfter: 11/28/2046 4:00 PM",
                   "Subject: CN=Evidence Test Root CA, O=opsmgr-enroll tests",
                   "Signature matches Public Key", "Root Certificate: Subject matches Issuer",
                   "Cert Hash(sha1): " + root_sha1.lower(), ""]
    return store_text(("Root", "Trusted Root Certification Authorities"), blocks)


def event(eid, level, time, data):
    return ('<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">'
            '<System><Provider Name="OpsMgr Connector"/><EventID Qualifiers="%d">%d</EventID>'
            '<Version>0</Version><Level>%d</Level><Task>0</Task><Opcode>0</Opcode>'
            '<Keywords>0x80000000000000</Keywords><TimeCreated SystemTime="%s"/>'
            '<EventRecordID>%d</EventRecordID><Correlation/><Execution ProcessID="2148" ThreadID="3312"/>'
            '<Channel>Operations Manager</Channel><Computer>%s</Computer><Security/></System>'
            '<EventData>%s</EventData></Event>' % (
                49152 if level == 2 else 16384, eid, level, time, eid, FQDN,
                "".join("<Data>%s</Data>" % d for d in data)))


def write(folder, name, data):
    p = os.path.join(folder, name)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    open(p, "wb").write(data)


def loaded(time):
    return event(20053, 4, time, ["CN=" + FQDN])


# What the agent logs after the restart with each fault: the event the
# fault causes (opsmgr-facts.md, "Events"), an error; the certificate
# loaded (20053) where the fault leaves it usable.
EVENTS = {
    "healthy": [loaded("2026-12-03T15:10:02.1234567Z")],
    "serial-not-reversed": [event(20066, 2, "2026-12-03T15:10:02.1234567Z", [])],
    "serial-truncated-19": [event(20066, 2, "2026-12-03T15:10:02.1234567Z", [])],
    "deleted-certificate": [event(20066, 2, "2026-12-03T15:10:02.1234567Z", [])],
    "no-private-key": [event(20068, 2, "2026-12-03T15:10:02.1234567Z", [])],
    "cng-key": [event(20069, 2, "2026-12-03T15:10:02.1234567Z", [])],
    "root-missing": [event(20072, 2, "2026-12-03T15:10:04.0000000Z",
                           ["scom01.example.test"]),
                     loaded("2026-12-03T15:10:02.1234567Z")],
    "service-stopped": [loaded("2026-12-03T15:10:02.1234567Z")],
    "events-20071-21016": [
        event(21016, 2, "2026-12-03T15:12:40.5000000Z", ["MG1", "scom01.example.test"]),
        event(20071, 3, "2026-12-03T15:12:39.9000000Z", ["scom01.example.test"]),
        event(21016, 2, "2026-12-03T15:02:40.5000000Z", ["MG1", "scom01.example.test"]),
        loaded("2026-12-03T15:00:02.1234567Z"),
        event(1210, 4, "2026-12-03T14:59:00.0000000Z", [])],
}


def write_events(folder, name):
    write(folder, "events.xml", "".join(EVENTS[name]).encode("utf-8"))


def fixture(name, certs, root_sha1, reg_serial, my_keys, root_ok=True,
            state="4  RUNNING", hash_of="agent"):
    f = os.path.join(HERE, name)
    shutil.rmtree(f, ignore_errors=True)
    os.makedirs(f)
    issuer = ["CN=Evidence Test Root CA", "O=opsmgr-enroll tests"]
    my = []
    for i, (cname, key) in enumerate(my_keys):
        my += cert_block(i, certs[cname], issuer, key)
        write(f, "certs/my-%d.cer" % i, certs[cname]["der"])
    values = [("ChannelCertificateSerialNumber", "hex", reg_serial),
              ("ChannelCertificateHash", "sz", certs[hash_of]["sha1"])]
    write(f, "machine-settings.reg", reg_text(OM + r"\Machine Settings", values))
    write(f, "agent-groups.reg", groups_reg("MG1", "scom01.example.test", 5723))
    write(f, "store-my.txt", store_text(("My", "Personal"), my))
    write(f, "store-root.txt", root_store(root_sha1, root_ok))
    write(f, "store-ca.txt", store_text(("CA", "Intermediate Certification Authorities"), []))
    write_events(f, name)
    write(f, "sc-qc.txt", ("[SC] QueryServiceConfig SUCCESS\r\n\r\n"
                           "SERVICE_NAME: HealthService\r\n"
                           "        TYPE               : 10  WIN32_OWN_PROCESS\r\n"
                           "        START_TYPE         : 2   AUTO_START\r\n"
                           "        ERROR_CONTROL      : 1   NORMAL\r\n"
                           "        BINARY_PATH_NAME   : \"C:\\Program Files\\Microsoft Monitoring Agent\\Agent\\HealthService.exe\"\r\n"
                           "        DISPLAY_NAME       : Microsoft Monitoring Agent\r\n").encode("ascii"))
    write(f, "sc-query.txt", ("\r\nSERVICE_NAME: HealthService\r\n"
                              "        TYPE               : 10  WIN32_OWN_PROCESS\r\n"
                              "        STATE              : %s\r\n"
                              "        WIN32_EXIT_CODE    : 0  (0x0)\r\n" % state).encode("ascii"))
    write(f, "computer.txt", ("computername=AGENT01\r\nhostname=agent01\r\n"
                              "domain=example.test\r\nfqdn=%s\r\n" % FQDN).encode("ascii"))
    write(f, "tcp.txt", b"server=scom01.example.test\r\nport=5723\r\nresult=open\r\ndetail=\r\n")
    write(f, "collect.log", b"reg-machine rc=0 reg export\r\ndone rc=0\r\n")


def main():
    if sys.argv[1:] == ["--events-only"]:
        for name in EVENTS:
            write_events(os.path.join(HERE, name), name)
        return 0
    t = tempfile.mkdtemp()
    try:
        certs, root_sha1 = make_pki(t)
        rev = lambda h: bytes.fromhex(h)[::-1]
        good = [("agent", (SCHANNEL, 1)), ("other", (SCHANNEL, 1))]
        agent = certs["agent"]["serial"]
        fixture("healthy", certs, root_sha1, rev(agent), good)
        fixture("serial-not-reversed", certs, root_sha1, bytes.fromhex(agent), good)
        fixture("serial-truncated-19", certs, root_sha1, rev(agent)[:19], good)
        fixture("deleted-certificate", certs, root_sha1,
                rev(certs["old"]["serial"]), good)
        fixture("no-private-key", certs, root_sha1, rev(agent),
                [("agent", None), ("other", (SCHANNEL, 1))])
        fixture("cng-key", certs, root_sha1, rev(agent),
                [("agent", (KSP, 0)), ("other", (SCHANNEL, 1))])
        fixture("root-missing", certs, root_sha1, rev(agent), good, root_ok=False)
        fixture("service-stopped", certs, root_sha1, rev(agent), good,
                state="1  STOPPED")
        fixture("events-20071-21016", certs, root_sha1, rev(agent), good)
    finally:
        shutil.rmtree(t)


if __name__ == "__main__":
    sys.exit(main())
