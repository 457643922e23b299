import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // scripts/build.mjs builds into the API's dist/<build>/web; a plain `vite build` into build/.
    adapter: adapter({ out: process.env.BMET_WEB_OUT ?? 'build' })
  }
};

export default config;
