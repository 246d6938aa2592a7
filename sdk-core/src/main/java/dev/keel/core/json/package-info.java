/** Shared JSON support: one configured Jackson mapper and helpers that fail with clear messages. */
package dev.keel.core.json;
