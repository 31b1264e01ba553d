// The fastest backend the benchmark can have on Node: a fixed small JSON body, keep-alive.
// Every proxy in the comparison forwards to this same process.
import http from 'node:http';

const body = Buffer.from(JSON.stringify({ id: 1, name: 'Rex', species: 'dog', status: 'available' }));
const server = http.createServer({ keepAliveTimeout: 65_000 }, (request, response) => {
  request.resume();
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  response.end(body);
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(JSON.stringify({ event: 'listening', port: server.address().port }));
});
process.on('SIGTERM', () => process.exit(0));
