"""Message templates: rendering messages from them (rendering), which exist (catalogue),
admins' versions in Redis (store), the checks an edit passes and previews (checks), and
the use cases (admin). The repository defaults are ../templates/."""
