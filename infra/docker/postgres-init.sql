-- The registry keeps its schemas in a database of its own beside the pipeline's.
CREATE DATABASE apicurio;
