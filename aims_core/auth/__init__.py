"""Who is acting: identities, app roles and (with sign-in) their checks."""
