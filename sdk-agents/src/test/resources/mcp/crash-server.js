// A minimal MCP server over stdio that answers initialize and tools/list, then exits abruptly on the
// first tools/call: it stands in for a server that crashes mid-request.
const readline = require('readline');
const rl = readline.createInterface({ input: process.stdin });
const send = (msg) => process.stdout.write(JSON.stringify(msg) + '\n');
rl.on('line', (line) => {
  const msg = JSON.parse(line);
  if (msg.method === 'initialize') {
    send({ jsonrpc: '2.0', id: msg.id, result: { protocolVersion: msg.params.protocolVersion,
      capabilities: { tools: {} }, serverInfo: { name: 'crash', version: '1.0.0' } } });
  } else if (msg.method === 'tools/list') {
    send({ jsonrpc: '2.0', id: msg.id, result: { tools: [{ name: 'explode', description: 'crashes the server',
      inputSchema: { type: 'object', properties: {} } }] } });
  } else if (msg.method === 'tools/call') {
    process.exit(3);
  }
});
