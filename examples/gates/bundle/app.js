console.log("medianest");
