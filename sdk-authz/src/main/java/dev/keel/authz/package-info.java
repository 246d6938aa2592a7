/**
 * Keel authz API: {@link dev.keel.authz.PermissionsClient} and the values it speaks in
 * (objects, subjects, relationships, checks, consistency, revision tokens), plus the relationship
 * text format.
 */
package dev.keel.authz;
