/**
 * Models made of models: a fallback chain, a router, an alternation and a member's own options, built by
 * {@link dev.keel.core.models.ModelComposer} from a {@link dev.keel.core.models.ModelSpec}. Not API.
 */
package dev.keel.core.internal.compose;
