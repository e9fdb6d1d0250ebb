-- SAML assertions already used (SAML Profiles §4.1.4.5: an assertion is
-- accepted once). `scope` is the user pool's id, or `iam:<provider ARN>`
-- for identity pools' SAML logins; rows are pruned after NotOnOrAfter.
CREATE TABLE saml_assertions (
    scope        TEXT COLLATE "C" NOT NULL,
    assertion_id TEXT COLLATE "C" NOT NULL,
    expires      BIGINT NOT NULL,
    PRIMARY KEY (scope, assertion_id)
);
CREATE INDEX saml_assertions_by_expiry ON saml_assertions (expires);
