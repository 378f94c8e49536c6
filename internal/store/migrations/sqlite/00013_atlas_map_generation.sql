-- +goose Up
-- The generation of the map's data: every samen process keeps the map
-- index in memory, follows single changes by their updated_at, and
-- rebuilds its index whenever this number moves. A bulk write (an import
-- of thousands of rows, a restore) moves it in its own transaction, so
-- that every process, and the CLI's writes too, reach every index however
-- long the write took. Owned by internal/atlas.
CREATE TABLE atlas_map_state (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    generation BIGINT NOT NULL
);
INSERT INTO atlas_map_state (id, generation) VALUES (1, 0);

-- +goose Down
DROP TABLE atlas_map_state;
