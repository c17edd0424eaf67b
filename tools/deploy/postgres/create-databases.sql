-- Run once by the postgres image's entrypoint on an empty data directory (docker-compose only).
-- One database per service; add a line when a service is added.
CREATE DATABASE yugong_beneficiaries;
CREATE DATABASE yugong_catalog;
CREATE DATABASE yugong_gateway;
CREATE DATABASE yugong_ledger;
CREATE DATABASE yugong_licensing;
CREATE DATABASE yugong_orders;
