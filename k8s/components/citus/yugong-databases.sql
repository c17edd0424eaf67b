-- Run once by the image on an empty volume, on every node: the two databases Citus is for.
CREATE DATABASE yugong_ledger;
CREATE DATABASE yugong_orders;
\c yugong_ledger
CREATE EXTENSION IF NOT EXISTS citus;
\c yugong_orders
CREATE EXTENSION IF NOT EXISTS citus;
