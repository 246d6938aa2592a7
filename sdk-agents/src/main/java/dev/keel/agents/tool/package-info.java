/** The tool SPI: {@link dev.keel.agents.tool.Tool}, {@link dev.keel.agents.tool.Toolset} and their values. */
package dev.keel.agents.tool;
