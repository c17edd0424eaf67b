-- Run by the Job against the coordinator, in each database (psql -v password=...): the
-- coordinator's own name, the password it uses on the workers, and the workers.
SELECT citus_set_coordinator_host('citus-coordinator', 5432);
INSERT INTO pg_dist_authinfo (nodeid, rolename, authinfo)
SELECT 0, current_user, 'password=' || :'password'
 WHERE NOT EXISTS (SELECT 1 FROM pg_dist_authinfo WHERE nodeid = 0 AND rolename = current_user);
SELECT citus_add_node('citus-worker-0.citus-worker', 5432);
SELECT citus_add_node('citus-worker-1.citus-worker', 5432);
