"""A SAML 2.0 identity provider for Cognate's tests, built on pysaml2 (which
signs with the xmlsec1 CLI). Started by the tests on a random port:

    saml_idp.py <workdir>

prints `READY <base url>` once it listens on 127.0.0.1. Environment:
    SAML_SP_ENTITY_ID  the SP's entity id (urn:amazon:cognito:sp:<poolId>)
    SAML_SP_ACS        the SP's assertion consumer service URL
    SAML_SP_CERT       the SP's certificate (base64 DER), named in its
                       metadata for encryption (encrypt=1)

Endpoints:
    GET  /metadata          the IdP's metadata (entityID <base>/metadata)
    GET  /sso/redirect      SSO, HTTP-Redirect binding: answers an
                            auto-posting form (a submit button, no script)
                            with the signed Response for the test user
    GET  /idp-init          an unsolicited response (IdP-initiated sign-in)
    GET  /slo/redirect      SLO, HTTP-Redirect binding (LogoutRequest in,
                            LogoutResponse out by redirect to the SP's
                            SAML_SP_SLO, default the ACS's /saml2/logout)
    GET  /logged-out        the NameIDs logged out so far, one a line
    GET  /slo/initiate      an IdP-initiated logout: a signed LogoutRequest
                            (user=<name>; forge=1 signs with another key) by
                            redirect to the SP's SLO; its answer comes back
                            to /slo/redirect, and /logout-answers lists them

Test-only knobs, as query parameters of /sso/redirect and /idp-init:
    user=<name>  email=<address>   who signs in (default alice)
    forge=1          signed with another key than the metadata names
    expired=1        NotOnOrAfter ten minutes in the past
    audience=<id>    the assertion is for another audience
    in_response_to=<id>  answers another request
    unsigned=1       neither Response nor Assertion signed
    sign=assertion   only the Assertion signed (inside the encryption)
    encrypt=1        the Assertion encrypted (RSA-OAEP, AES-128-GCM) to the
                     SP's certificate from its metadata; encrypt=other to
                     another key's certificate; encrypt=cbc with AES-128-CBC;
                     encrypt=3des with Triple DES
"""

import base64
import html
import os
import subprocess
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import Config
from saml2.metadata import entity_descriptor
from saml2.saml import NAME_FORMAT_BASIC, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

import saml2.entity
import saml2.sigver

# pysaml2 encrypts with Triple DES unless told otherwise: AES-128-GCM, with
# the key transported by RSA-OAEP (XML Encryption 1.1 §5.2.4, §5.5.2).
# encrypt=3des keeps pysaml2's default (which Cognate refuses).
AES128_GCM = ("http://www.w3.org/2009/xmlenc11#aes128-gcm", "aes-128")
AES128_CBC = ("http://www.w3.org/2001/04/xmlenc#aes128-cbc", "aes-128")
TRIPLE_DES = ("http://www.w3.org/2001/04/xmlenc#tripledes-cbc", "des-192")
CIPHER = threading.local()


def _cipher():
    return getattr(CIPHER, "value", AES128_GCM)


def _aes_encryption_part(**kw):
    kw.setdefault("msg_enc", _cipher()[0])
    return saml2.sigver.pre_encryption_part(**kw)


saml2.entity.pre_encryption_part = _aes_encryption_part
_encrypt_assertion = saml2.sigver.SecurityContext.encrypt_assertion


def _aes_session_key(self, statement, enc_key, template, key_type=None, node_xpath=None):
    # The session key xmlsec1 makes, for the template's algorithm.
    return _encrypt_assertion(self, statement, enc_key, template, _cipher()[1], node_xpath)


saml2.sigver.SecurityContext.encrypt_assertion = _aes_session_key

AUTHN = {
    "class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
}


def make_key(workdir, name):
    key = os.path.join(workdir, name + ".key")
    cert = os.path.join(workdir, name + ".crt")
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=" + name, "-keyout", key, "-out", cert,
        ],
        check=True,
        capture_output=True,
    )
    return key, cert


def sp_metadata(workdir, entity_ids, acs, slo, cert=None):
    """Metadata of the SPs this IdP answers (pysaml2 needs them known)."""
    key = ""
    if cert:
        key = (
            '<md:KeyDescriptor use="encryption"><ds:KeyInfo '
            'xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data>'
            "<ds:X509Certificate>%s</ds:X509Certificate></ds:X509Data>"
            "</ds:KeyInfo></md:KeyDescriptor>" % html.escape(cert)
        )
    parts = []
    for entity_id in entity_ids:
        parts.append(
            '<md:EntityDescriptor entityID="%s"><md:SPSSODescriptor '
            'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">%s'
            '<md:SingleLogoutService Binding="%s" Location="%s"/>'
            '<md:AssertionConsumerService Binding="%s" Location="%s" index="0"/>'
            "</md:SPSSODescriptor></md:EntityDescriptor>"
            % (
                html.escape(entity_id),
                key,
                BINDING_HTTP_REDIRECT,
                html.escape(slo),
                BINDING_HTTP_POST,
                html.escape(acs),
            )
        )
    path = os.path.join(workdir, "sp.xml")
    with open(path, "w") as f:
        f.write(
            '<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">'
            + "".join(parts)
            + "</md:EntitiesDescriptor>"
        )
    return path


def server(base, key, cert, sp_md, lifetime_minutes):
    conf = Config()
    conf.load(
        {
            "entityid": base + "/metadata",
            "service": {
                "idp": {
                    "endpoints": {
                        "single_sign_on_service": [
                            (base + "/sso/redirect", BINDING_HTTP_REDIRECT)
                        ],
                        "single_logout_service": [
                            (base + "/slo/redirect", BINDING_HTTP_REDIRECT)
                        ],
                    },
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": lifetime_minutes},
                            "attribute_restrictions": None,
                            "name_form": NAME_FORMAT_BASIC,
                        }
                    },
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                    "want_authn_requests_signed": False,
                }
            },
            "key_file": key,
            "cert_file": cert,
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "metadata": {"local": [sp_md]},
            "signing_algorithm": SIG_RSA_SHA256,
            "digest_algorithm": DIGEST_SHA256,
            "allow_unknown_attributes": True,
        }
    )
    return Server(config=conf)


class Idp:
    def __init__(self, workdir, base):
        sp = os.environ["SAML_SP_ENTITY_ID"]
        self.acs = os.environ["SAML_SP_ACS"]
        # Cognito's SLO endpoint is /saml2/logout next to /saml2/idpresponse.
        self.slo = os.environ.get("SAML_SP_SLO", self.acs.replace("/idpresponse", "/logout"))
        self.logged_out = []
        self.logout_answers = []
        sp_md = sp_metadata(
            workdir, [sp, "urn:amazon:cognito:sp:another-pool"], self.acs, self.slo,
            os.environ.get("SAML_SP_CERT"),
        )
        key, cert = make_key(workdir, "idp")
        other_key, other_cert = make_key(workdir, "forger")
        with open(other_cert) as f:
            self.other_cert = f.read()
        self.sp = sp
        self.main = server(base, key, cert, sp_md, 5)
        self.expired = server(base, key, cert, sp_md, -10)
        self.forger = server(base, other_key, other_cert, sp_md, 5)
        self.metadata = str(entity_descriptor(self.main.config))

    def response(self, knobs, in_response_to, sp=None):
        idp = self.main
        if knobs.get("forge"):
            idp = self.forger
        elif knobs.get("expired"):
            idp = self.expired
        user = knobs.get("user", "alice")
        email = knobs.get("email", user + "@example.com")
        identity = {
            "email": [email],
            "givenName": [user.capitalize()],
            "groups": ["staff", "admins"],
        }
        signed = not knobs.get("unsigned")
        encrypt = knobs.get("encrypt")
        CIPHER.value = {"3des": TRIPLE_DES, "cbc": AES128_CBC}.get(encrypt, AES128_GCM)
        response = idp.create_authn_response(
            identity,
            in_response_to=knobs.get("in_response_to", in_response_to),
            destination=self.acs,
            sp_entity_id=knobs.get("audience", sp or self.sp),
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=user),
            authn=AUTHN,
            sign_response=signed and knobs.get("sign") != "assertion",
            sign_assertion=signed,
            encrypt_assertion=bool(encrypt),
            encrypt_cert_assertion=self.other_cert if encrypt == "other" else None,
        )
        return base64.b64encode(str(response).encode()).decode()


def form(acs, saml_response, relay_state):
    relay = ""
    if relay_state is not None:
        relay = '<input type="hidden" name="RelayState" value="%s">' % html.escape(relay_state)
    return (
        "<!doctype html><html><head><title>SAML IdP</title></head><body>"
        '<form method="post" action="%s">'
        '<input type="hidden" name="SAMLResponse" value="%s">%s'
        '<button type="submit" id="continue">Continue</button>'
        "</form></body></html>"
    ) % (html.escape(acs), html.escape(saml_response), relay)


def make_handler(idp):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def answer(self, status, body, content_type="text/html", headers=()):
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for k, v in headers:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            q = dict(urllib.parse.parse_qsl(url.query))
            try:
                if url.path == "/metadata":
                    return self.answer(200, idp.metadata, "application/samlmetadata+xml")
                if url.path == "/sso/redirect":
                    req = idp.main.parse_authn_request(q["SAMLRequest"], BINDING_HTTP_REDIRECT)
                    msg = req.message
                    saml_response = idp.response(q, msg.id, msg.issuer.text)
                    return self.answer(200, form(idp.acs, saml_response, q.get("RelayState")))
                if url.path == "/idp-init":
                    saml_response = idp.response(q, None)
                    return self.answer(200, form(idp.acs, saml_response, q.get("RelayState")))
                if url.path == "/slo/redirect" and "SAMLResponse" in q:
                    # The SP's answer to /slo/initiate.
                    resp = idp.main.parse_logout_request_response(
                        q["SAMLResponse"], BINDING_HTTP_REDIRECT
                    )
                    idp.logout_answers.append(resp.response.status.status_code.value)
                    return self.answer(200, "signed out at the SP", "text/plain")
                if url.path == "/slo/initiate":
                    srv = idp.forger if q.get("forge") else idp.main
                    _, req = srv.create_logout_request(
                        idp.slo,
                        idp.sp,
                        name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=q.get("user", "alice")),
                        sign=False,
                    )
                    info = srv.apply_binding(
                        BINDING_HTTP_REDIRECT, str(req), idp.slo, "idp-logout",
                        sign=True, sigalg=SIG_RSA_SHA256,
                    )
                    location = dict(info["headers"])["Location"]
                    return self.answer(303, "", headers=[("Location", location)])
                if url.path == "/logout-answers":
                    return self.answer(200, "\n".join(idp.logout_answers), "text/plain")
                if url.path == "/slo/redirect":
                    req = idp.main.parse_logout_request(q["SAMLRequest"], BINDING_HTTP_REDIRECT)
                    idp.logged_out.append(req.message.name_id.text)
                    resp = idp.main.create_logout_response(req.message, [BINDING_HTTP_REDIRECT])
                    info = idp.main.apply_binding(
                        BINDING_HTTP_REDIRECT, str(resp), idp.slo,
                        q.get("RelayState", ""), response=True,
                    )
                    location = dict(info["headers"])["Location"]
                    return self.answer(303, "", headers=[("Location", location)])
                if url.path == "/logged-out":
                    return self.answer(200, "\n".join(idp.logged_out), "text/plain")
                return self.answer(404, "not found", "text/plain")
            except Exception as e:  # a test reads why
                return self.answer(400, "bad request: %r" % (e,), "text/plain")

    return Handler


def main():
    workdir = sys.argv[1]
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), None)
    base = "http://127.0.0.1:%d" % httpd.server_address[1]
    httpd.RequestHandlerClass = make_handler(Idp(workdir, base))
    print("READY " + base, flush=True)
    httpd.serve_forever()


if __name__ == "__main__":
    main()
