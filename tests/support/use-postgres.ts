// Loaded by the integration-pg project: test databases are scratch PostgreSQL databases.
process.env.TEST_DB_KIND = 'pg';
