/** Tool descriptions offered to a model: {@link dev.keel.core.tool.ToolSpec} and {@link dev.keel.core.tool.JsonSchema}. */
package dev.keel.core.tool;
