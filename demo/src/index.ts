export { DemoConfigSchema } from './config.js';
export {
  CATALOGUE_PHOTOS,
  SAMPLE_PHOTO_PACKAGE,
  SAMPLE_PHOTOS,
  type SamplePhoto,
  samplePhotos,
} from './sample-photos.js';
