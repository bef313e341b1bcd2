/** What mloop answers to the README's row, byte for byte in shape and size. */
export const constantAnswer = JSON.stringify({
  modelVersion: 1,
  predictions: [{ predictionId: '1803556f-65ab-4031-a18c-3fd2d4a83958', label: 'M', className: 'Malign', decision: 1.0681663368457588 }],
});
