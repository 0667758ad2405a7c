"""Message templates admins manage: which exist (catalogue), admins' versions in Redis
(store), the checks an edit passes and previews (checks), and the use cases (admin).
Rendering itself is ../rendering.py; the repository defaults are ../templates/."""
