-- RFC 3327: a phone that registers through another proxy (an SBC, an edge proxy keeping its RFC 5626 flow) is
-- reached through the same proxies: the REGISTER's Path values are kept with the binding, topmost first, and a
-- request to the phone carries them as its Route headers. Empty for a phone that registered directly.
ALTER TABLE sip_bindings ADD COLUMN path text[] NOT NULL DEFAULT '{}';
