"""What the rebuild tests share: the database a rebuild goes into, and collections read in a comparable order."""

import pytest


@pytest.fixture
async def rebuilt(database, settings_values):
    """The database the rebuild goes into (conftest's database name + `-rebuilt`), dropped afterwards."""
    name = f"{settings_values['mongodb_database']}-rebuilt"
    yield database.client[name]
    await database.client.drop_database(name)


async def documents(database, name: str) -> list[dict]:
    """A collection's documents, by _id."""
    return await database[name].find().sort("_id", 1).to_list()
