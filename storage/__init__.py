"""Tables, migrations and the repository. Importing the package registers the flush hook that
restamps a plan whenever its structure changes (``storage.structure``)."""

from storage import structure as structure
