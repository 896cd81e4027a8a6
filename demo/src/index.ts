export { nearDuplicate, productImage, seededRandom } from './synthetic-images.js';
