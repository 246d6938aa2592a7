/** Fail-closed permission filtering of retrieved hits: {@link dev.keel.authz.filter.PostFilter}. */
package dev.keel.authz.filter;
