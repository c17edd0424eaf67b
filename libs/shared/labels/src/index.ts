export { LABEL_CODE_LENGTH, LabelCodec } from './label-code.util';
