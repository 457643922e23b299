import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // scripts/build.mjs builds into the API's dist/<build>/web; a plain `vite build` into build/.
    adapter: adapter({ out: process.env.BMET_WEB_OUT ?? 'build' }),
    // Registered by the layout once the page is idle (lib/offline.ts), not on 'load': installing
    // it fetches the whole app shell, which must not compete with a phone's first page.
    serviceWorker: { register: false },
    // A strict policy for every page: scripts only from the forum itself (SvelteKit adds the hash
    // of its own inline bootstrap on each page: a hash, not a nonce, so one rendering can be kept
    // and served to every anonymous reader without reusing a nonce), no inline styles, images from the forum
    // (and data: images in posts; hooks.server.ts adds the hosts an admin allows with
    // IMAGE_HOSTS), no plugins, no framing, forms posted only to the forum.
    csp: {
      mode: 'hash',
      directives: {
        'default-src': ['self'],
        'script-src': ['self'],
        'style-src': ['self'],
        // The one inline style attribute allowed: SvelteKit's route announcer for screen readers
        // (its visually-hidden style, by hash; a SvelteKit update that changes it shows up as a
        // violation in test/hardening.test.ts).
        'style-src-attr': ['unsafe-hashes', 'sha256-S8qMpvofolR8Mpjy4kQvEm7m1q8clzU4dfDH0AmvZjo='],
        'img-src': ['self', 'data:'],
        'font-src': ['self'],
        'connect-src': ['self'],
        'object-src': ['none'],
        'base-uri': ['self'],
        'form-action': ['self'],
        'frame-ancestors': ['none'],
        'manifest-src': ['self'],
        'worker-src': ['self']
      }
    }
  }
};

export default config;
