/**
 * Durable sessions: a {@link dev.keel.agents.session.SessionStore} keeps conversations (with the run journal that
 * lets a suspended or crashed run continue) in files or in PostgreSQL, with optimistic concurrency so that two
 * service instances never both continue one session.
 */
package dev.keel.agents.session;
