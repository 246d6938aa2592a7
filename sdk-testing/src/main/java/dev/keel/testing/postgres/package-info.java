/**
 * A real, throwaway PostgreSQL 17 (with pgvector) per test class, started from the root that
 * {@code scripts/setup/pgvector.sh} builds.
 */
package dev.keel.testing.postgres;
