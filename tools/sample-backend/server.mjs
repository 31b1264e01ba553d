// A tiny pet store used to demonstrate and test publishing through the dedicated gateway.
// No dependencies: run it with `node tools/sample-backend/server.mjs` (PORT, default 8090).
import http from 'node:http';

const port = Number(process.env.PORT ?? 8090);
const host = process.env.HOST ?? '127.0.0.1';

const pets = new Map();
let nextId = 1;
for (const seed of [
  { name: 'Rex', species: 'dog', status: 'available' },
  { name: 'Tom', species: 'cat', status: 'pending' },
  { name: 'Nemo', species: 'fish', status: 'sold' },
]) {
  const id = nextId++;
  pets.set(id, { id, ...seed });
}

function send(response, status, body) {
  const text = body === undefined ? '' : JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

function readJson(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      try {
        resolve(chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {});
      } catch {
        reject(new Error('request body is not valid JSON'));
      }
    });
    request.on('error', reject);
  });
}

function validPet(body) {
  if (typeof body?.name !== 'string' || body.name.trim() === '') return 'field "name" must be a non-empty string';
  if (body.species !== undefined && typeof body.species !== 'string') return 'field "species" must be a string';
  if (body.status !== undefined && !['available', 'pending', 'sold'].includes(body.status)) {
    return 'field "status" must be one of available, pending, sold';
  }
  return undefined;
}

const server = http.createServer(async (request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const match = /^\/pets(?:\/([^/]+))?\/?$/.exec(url.pathname);
  if (!match) return send(response, 404, { message: `no resource at ${url.pathname}` });
  const petId = match[1] === undefined ? undefined : Number(match[1]);
  try {
    if (petId === undefined) {
      if (request.method === 'GET') {
        const status = url.searchParams.get('status');
        const limit = Number(url.searchParams.get('limit') ?? Infinity);
        const list = [...pets.values()].filter((pet) => !status || pet.status === status).slice(0, limit);
        return send(response, 200, list);
      }
      if (request.method === 'POST') {
        const body = await readJson(request);
        const problem = validPet(body);
        if (problem) return send(response, 400, { message: problem });
        const pet = { id: nextId++, name: body.name, species: body.species ?? 'unknown', status: body.status ?? 'available' };
        pets.set(pet.id, pet);
        response.setHeader('location', `/pets/${pet.id}`);
        return send(response, 201, pet);
      }
      response.setHeader('allow', 'GET, POST');
      return send(response, 405, { message: `${request.method} is not allowed on /pets` });
    }
    if (!Number.isInteger(petId)) return send(response, 400, { message: 'petId must be an integer' });
    const pet = pets.get(petId);
    if (request.method === 'GET') return pet ? send(response, 200, pet) : send(response, 404, { message: `pet ${petId} not found` });
    if (request.method === 'PUT') {
      if (!pet) return send(response, 404, { message: `pet ${petId} not found` });
      const body = await readJson(request);
      const problem = validPet(body);
      if (problem) return send(response, 400, { message: problem });
      const updated = { ...pet, name: body.name, species: body.species ?? pet.species, status: body.status ?? pet.status };
      pets.set(petId, updated);
      return send(response, 200, updated);
    }
    if (request.method === 'DELETE') {
      if (!pet) return send(response, 404, { message: `pet ${petId} not found` });
      pets.delete(petId);
      return send(response, 204);
    }
    response.setHeader('allow', 'GET, PUT, DELETE');
    return send(response, 405, { message: `${request.method} is not allowed on /pets/{petId}` });
  } catch (error) {
    return send(response, 400, { message: error.message });
  }
});

server.listen(port, host, () => {
  console.log(JSON.stringify({ event: 'listening', url: `http://${host}:${server.address().port}` }));
});

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
