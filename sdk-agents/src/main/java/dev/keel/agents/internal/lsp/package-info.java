/**
 * Keel's Language Server Protocol client behind the team files' {@code lsp} toolset: JSON-RPC 2.0 over a language
 * server's stdio, documents opened and synchronised from the working directory on demand, and docker-agent's
 * {@code lsp_*} tools rendering the answers as compact text. Not exported.
 */
package dev.keel.agents.internal.lsp;
