// An image as the engine's URLs must name it: dockerode puts the name into the request path unescaped.
import type Dockerode from 'dockerode';

/**
 * The engine's image object for `name`, with the name escaped: unescaped, `..`, `?` or `#` in a name would choose
 * another endpoint (and a redirect the engine answers with could send the request to another host).
 */
export function engineImage(docker: Dockerode, name: string): Dockerode.Image {
  return docker.getImage(encodeURIComponent(name));
}
